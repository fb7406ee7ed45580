//! The words that travel between the core, the database, the command line and the window:
//! one enum each, with exactly one text form per value (stored in `sync_runs`, sent as JSON,
//! matched by the UI's table of words in `ui/run-words.js`).
use std::fmt;
use std::str::FromStr;

/// Declares a closed set of words: the enum, its one text form (`as_str`, `Display`,
/// `FromStr`, serde) and the list of every value (`ALL`), which a test holds against the UI.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $ty:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $ty { $($(#[$vmeta])* $variant),+ }

        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!("unknown {}: {other:?}", stringify!($ty))),
                }
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

text_enum! {
    /// What started a run.
    #[derive(clap::ValueEnum)]
    pub enum Trigger {
        Button => "button",
        Tray => "tray",
        Launch => "launch",
        Schedule => "schedule",
        Cli => "cli",
    }
}

text_enum! {
    /// Where a run is in its life.
    pub enum RunStatus {
        Running => "running",
        Success => "success",
        Error => "error",
        Aborted => "aborted",
    }
}

text_enum! {
    /// What a running sync is doing now, for progress bars and the fetch card.
    pub enum Phase {
        Listing => "listing",
        Fetching => "fetching",
        History => "history",
        /// Waiting on Gmail's quota (a 429 or 403 rate limit, or the local token bucket).
        Throttled => "throttled",
        Finishing => "finishing",
    }
}

text_enum! {
    /// What kind of pass a run made.
    pub enum SyncKind {
        Full => "full",
        Incremental => "incremental",
        /// A full pass because the stored history position had expired.
        Resync => "resync",
    }
}

text_enum! {
    /// Why a run ended `error` or `aborted`: the stable tag the UI and scripts branch on.
    pub enum ErrorTag {
        Auth => "auth",
        RateLimit => "rateLimit",
        Network => "network",
        Gmail => "gmail",
        /// Gmail kept answering without moving on: a page token it had given before, or more
        /// pages than the mailbox's size can need.
        GmailLoop => "gmailLoop",
        /// The sync finished, but some messages were over the size cap and were not downloaded.
        TooLarge => "tooLarge",
        Storage => "storage",
        DiskFull => "diskFull",
        /// The database file was found damaged; it is set aside and rebuilt from Gmail.
        Corrupt => "corrupt",
        /// The database or its folder cannot be written (read-only media or permissions).
        ReadOnly => "readOnly",
        Stalled => "stalled",
        Internal => "internal",
        /// Stopped by the user (Stop, Ctrl-C, quitting the app).
        Cancelled => "cancelled",
        /// Replaced by a later start because its owner was dead or silent.
        Stale => "stale",
        /// Another run took over while this one still ran.
        LeaseLost => "leaseLost",
        /// The owner could not renew its lease in time and stopped by itself.
        LeaseExpired => "leaseExpired",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every word round-trips through its one text form, in serde as in `FromStr`.
    #[test]
    fn each_word_has_one_text_form() {
        for tag in ErrorTag::ALL {
            let json = serde_json::to_string(tag).unwrap();
            assert_eq!(json, format!("\"{}\"", tag.as_str()), "serde uses as_str");
            assert_eq!(serde_json::from_str::<ErrorTag>(&json).unwrap(), *tag);
            assert_eq!(tag.as_str().parse::<ErrorTag>().unwrap(), *tag);
        }
        for phase in Phase::ALL {
            assert_eq!(phase.as_str().parse::<Phase>().unwrap(), *phase);
        }
        assert!(
            "nonsense".parse::<SyncKind>().is_err(),
            "unknown words are refused"
        );
    }
}
