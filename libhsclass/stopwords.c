/* stopwords.c: placeholder until written */
