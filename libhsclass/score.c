/* score.c: placeholder until written */
