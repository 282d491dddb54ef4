/* tree.c: placeholder until written */
