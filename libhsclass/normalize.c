/* normalize.c: placeholder until written */
