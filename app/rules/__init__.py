"""Pure business rules: no database, no Flask. Testable on their own."""
