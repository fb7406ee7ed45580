//! A fake Gmail REST server (work in progress).
