/* model_write.c: placeholder until written */
