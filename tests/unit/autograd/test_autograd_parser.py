"""The safe expression grammar: precedence, errors that point at the problem, size budget."""
import pytest

from lib.autograd.parser import MAX_NODES, BinOp, Call, Name, Neg, Num, count_nodes, parse, spell, to_text

NAMES = ("x", "w", "b")


@pytest.mark.parametrize("text, expected", [
    ("2*x + 3", BinOp("+", BinOp("*", Num(2.0), Name("x")), Num(3.0))),  # * before +
    ("-x**2", Neg(BinOp("**", Name("x"), Num(2.0)))),                   # ** binds tighter than unary minus
    ("x**2**3", BinOp("**", Name("x"), BinOp("**", Num(2.0), Num(3.0)))),  # ** is right-associative
    ("x - w - b", BinOp("-", BinOp("-", Name("x"), Name("w")), Name("b"))),  # - is left-associative
    ("mean(w @ x)", Call("mean", BinOp("@", Name("w"), Name("x")))),
    ("1.5e1/.5", BinOp("/", Num(15.0), Num(0.5))),                       # exponent and leading-dot numbers
])
def test_parse_builds_the_expected_tree(text, expected):
    assert parse(text, NAMES) == expected


@pytest.mark.parametrize("text, fragment", [
    ("z + 1", "Unknown name 'z'"),              # not a leaf
    ("eval(x)", "Unknown name 'eval'"),         # not an allowed function
    ("x +", "expression ended"),                # missing operand
    ("(x + 1", "Expected ')'"),                 # unbalanced
    ("x 2", "Unexpected '2'"),                  # two operands in a row
    ("x.grad", "'.' is not allowed"),           # attribute access is not in the grammar
    ("__import__(x)", "Unknown name '__import__'"),   # no builtins reachable
    ("open('f')", "is not allowed"),            # no string literals at all
    ("", "empty"),
    ("x * 1e999", "too large"),                 # inf: no place in a graph, nor in the generated code
])
def test_bad_expressions_give_a_clear_message(text, fragment):
    with pytest.raises(ValueError, match=None) as info:
        parse(text, NAMES)
    assert fragment in str(info.value)


def test_error_message_points_at_the_position():
    with pytest.raises(ValueError) as info:
        parse("x + zz", NAMES)
    line, caret = str(info.value).splitlines()[-2:]
    assert line[caret.index("^")] == "z"


def test_size_budget_is_enforced():
    with pytest.raises(ValueError, match="limit is"):
        parse("+".join(["x"] * (MAX_NODES // 2 + 2)), NAMES)
    with pytest.raises(ValueError, match="characters"):
        parse("x" + " " * 300 + "+ 1", NAMES)


def test_round_trip_through_text():
    tree = parse("sigmoid(w @ x + b) * -(x - 1)", NAMES)
    assert parse(to_text(tree), NAMES) == tree
    assert count_nodes(tree) == 11  # * sigmoid + @ w x b neg - x 1


@pytest.mark.parametrize("text, written", [
    ("2*x + 3", "(2 * x) + 3"),                  # a compound operand is bracketed, a plain one is not
    ("-(x - 1)", "-(x - 1)"),                    # a compound operand of minus keeps its brackets
    ("-x**2", "-(x ** 2)"),                      # ** under unary minus: bracketed, same tree
    ("sigmoid(w @ x + b)", "sigmoid((w @ x) + b)"),
    ("0.1234567*x", "0.123457 * x"),             # numbers as %g: short text for messages
])
def test_to_text_brackets_compound_operands(text, written):
    assert to_text(parse(text, NAMES)) == written


def test_spell_as_code_brackets_every_operation_and_keeps_full_numbers():
    tree = parse("-(0.1234567*x) + exp(w)", NAMES)
    assert spell(tree, repr, lambda f: "torch." + f, code=True) == "(-((0.1234567 * x)) + torch.exp(w))"
    assert spell(tree, repr, str) == "(-(0.1234567 * x)) + exp(w)"


def test_errors_are_translatable_with_the_expression_kept_verbatim():
    """The page looks the template up in the catalog; the user's text travels as a value, in a code block."""
    with pytest.raises(ValueError) as info:
        parse("x + <b>", NAMES)
    message = info.value.args[0]
    assert message.template == "The character {char} is not allowed here.{pointer}"
    assert message.params["pointer"] == "\n\n    x + <b>\n        ^"  # indented: shown as code, never as markup
