"""Events charity publishes about goods in kind received and given out."""
