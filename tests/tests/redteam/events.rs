//! Forged and malformed events: what a buggy or hostile device pushes (issue 10, items 1-3).
