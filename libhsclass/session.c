/* session.c: placeholder until written */
