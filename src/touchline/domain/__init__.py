"""Pure rules with no I/O: channels, sessions, identity normalization, money, periods."""
