/* tokenize.c: placeholder until written */
