/* stem.c: placeholder until written */
