""".s2iignore: non-recursive Go globs, `#` comments, `!` re-includes."""

from __future__ import annotations

from seldon_s2i.driver.ignore import apply_s2iignore, files_to_ignore, path_matches

FILES = {
    "a.pyc": "", "b.py": "", ".hidden": "", "keep.pyc": "",
    "sub/c.pyc": "", "sub/d.py": "", "data/big.bin": "", "data/small.txt": "",
}


def test_globs_are_not_recursive(tree):
    root = tree(FILES)
    assert sorted(files_to_ignore(root, "*.pyc\n")) == ["a.pyc", "keep.pyc"]
    assert files_to_ignore(root, "sub/*.pyc\n") == ["sub/c.pyc"]


def test_star_does_not_cross_slash_but_matches_dotfiles(tree):
    root = tree(FILES)
    assert "sub/c.pyc" not in files_to_ignore(root, "*c.pyc\n")
    assert ".hidden" in files_to_ignore(root, "*\n")


def test_comments_blank_lines_and_spaces(tree):
    root = tree(FILES)
    assert files_to_ignore(root, "# b.py\n\n   \n  b.py  \n") == ["b.py"]


def test_reinclude_applies_to_earlier_lines_only(tree):
    root = tree(FILES)
    assert files_to_ignore(root, "*.pyc\n!keep.pyc\n") == ["a.pyc"]
    assert sorted(files_to_ignore(root, "*.pyc\n!keep.pyc\nkeep*\n")) == ["a.pyc", "keep.pyc"]
    assert sorted(files_to_ignore(root, "!keep.pyc\n*.pyc\n")) == ["a.pyc", "keep.pyc"]


def test_negated_class_uses_go_syntax(tree):
    root = tree(FILES)
    assert files_to_ignore(root, "[^a]*.pyc\n") == ["keep.pyc"]


def test_parent_escape_is_ignored(tree):
    root = tree(FILES)
    assert files_to_ignore(root, "../*\n") == []


def test_apply_removes_directories_recursively(tree):
    root = tree({**FILES, ".s2iignore": "data\n*.pyc\n!keep.pyc\n"})
    removed = apply_s2iignore(root)
    assert sorted(removed) == ["a.pyc", "data"]
    assert not (root / "data").exists()
    assert (root / "keep.pyc").exists() and (root / "sub/c.pyc").exists()
    assert (root / ".s2iignore").exists()


def test_no_ignore_file_removes_nothing(tree):
    assert apply_s2iignore(tree(FILES)) == []


def test_path_matches_whole_path():
    assert path_matches("sub/*.pyc", "sub/c.pyc")
    assert not path_matches("*.pyc", "sub/c.pyc")
    assert path_matches("./sub//c.pyc", "sub/c.pyc")
