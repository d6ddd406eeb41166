"""After-load derivations in the event plane: sessions (later touches, conversions, credits)."""
