"""LSTM sentiment: from raw sentences to tokens, embeddings (GloVe), an LSTM's gates and a prediction, trained live.
Modules: text (tokenise, vocabulary, pad, batch), corpus (movie reviews, CSV, download, split), chinese (the
Chinese reviews, character and jieba tokens), glove (vectors and their neighbours), config (settings), data
(encoded splits), model, training (early stopping, the kept best weights), averaging (a moving average of the
weights), run (a learner's run), predict (probabilities, gates per step), checkpoints, recipes (presets), cost
(memory and time for the gate), logs (TensorBoard), code (the standalone script)."""
