/* train.c: placeholder until written */
