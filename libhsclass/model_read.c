/* model_read.c: placeholder until written */
