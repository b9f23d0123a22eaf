"""The generated demo and bench databases (data)."""
