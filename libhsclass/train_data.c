/* train_data.c: placeholder until written */
