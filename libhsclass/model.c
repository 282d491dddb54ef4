/* model.c: placeholder until written */
