"""grader.course.restore: one exercise's stub put back in the student's text, the rest left as it is."""
from __future__ import annotations

import pytest

from grader.core.errors import UsageError
from grader.course.restore import restore_function

STUB = '''"""The lesson."""
import numpy as np


def softmax(x):
    """Rows sum to one."""
    raise NotImplementedError


@np.vectorize
def loss(p, y):
    raise NotImplementedError
'''

STUDENT = '''"""The lesson."""
import numpy as np

HELPER = 3


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@np.vectorize
def loss(p, y):
    return -np.log(p[y])


def mine():
    return HELPER
'''


def test_only_the_named_function_is_replaced():
    restored = restore_function(STUDENT, STUB, "softmax", "exercises/work.py")
    assert restored.replaced == (7, 9)
    assert '    """Rows sum to one."""\n    raise NotImplementedError\n' in restored.text
    assert "np.exp" not in restored.text
    for kept in ("HELPER = 3\n", "return -np.log(p[y])", "def mine():\n    return HELPER\n"):
        assert kept in restored.text


def test_a_decorated_function_is_replaced_with_its_decorators():
    restored = restore_function(STUDENT, STUB, "loss", "work.py")
    assert restored.replaced == (12, 14)
    assert restored.text.count("@np.vectorize") == 1
    assert "@np.vectorize\ndef loss(p, y):\n    raise NotImplementedError\n" in restored.text
    assert "np.exp" in restored.text


def test_a_function_the_student_deleted_is_appended():
    text = "import numpy as np\nx = 1"  # no final newline
    restored = restore_function(text, STUB, "softmax", "work.py")
    assert restored.replaced is None
    assert restored.text.startswith("import numpy as np\nx = 1\n\n\ndef softmax(x):")
    compile(restored.text, "work.py", "exec")


def test_restoring_is_idempotent():
    once = restore_function(STUDENT, STUB, "softmax", "work.py").text
    assert restore_function(once, STUB, "softmax", "work.py").text == once


def test_a_student_file_python_cannot_read_is_one_line_naming_it():
    with pytest.raises(UsageError, match=r"^exercises/work.py: line 1: .*fix it first") as error:
        restore_function("def softmax(:\n", STUB, "softmax", "exercises/work.py")
    assert "\n" not in str(error.value)


def test_a_stub_without_the_function_is_refused():
    with pytest.raises(UsageError, match="the released stub has no function nowhere"):
        restore_function(STUDENT, STUB, "nowhere", "work.py")
