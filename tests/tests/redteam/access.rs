//! Photos, sign-in, sessions, privacy and administration: what a stranger or another user tries
//! (issue 10, items 4-7).
