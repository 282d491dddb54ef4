/* utf8.c: placeholder until written */
