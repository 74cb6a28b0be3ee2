"""Autograd: the graph PyTorch records for an expression, the chain rule by hand, autograd's rules, backprop two ways.
`parser` safe expressions, `graph` evaluation and backward graph, `chain_rule` local derivatives and gradcheck,
`demos` behaviours, `backprop` a 5-3-1 net by hand vs autograd, `linreg` line fit, `config` settings, `code` panels."""
