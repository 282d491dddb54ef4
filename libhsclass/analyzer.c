/* analyzer.c: placeholder until written */
