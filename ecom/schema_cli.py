"""`python -m ecom schema`: the canonical schema as the README's Markdown table."""

from ecom import schema


def main(argv: list[str]) -> int:
    print(schema.markdown())
    return 0
