"""RNN lab: what a recurrent hidden state carries, in two classic examples - predicting cos(t) from sin(t), and a
surname's language read letter by letter. Modules: `config` the page's settings with their ranges and link names,
`wave` the sin -> cos regression, `letters` names as one-hot tensors, `data` the surname files, split and length-
sorted batches, `models` the hand-built cell (checked against nn.RNN), the classifiers and their optimizer,
`training` a learner's run and its predictions, `cost` memory and time for the heavy-job gate (time from a probe
of a few real steps), `recipes` the classic tutorials' presets, `code` the code panels."""
