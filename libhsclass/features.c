/* features.c: placeholder until written */
