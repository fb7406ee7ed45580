//! A sync run as the ledger stores it and as the UI and command line see it (camelCase JSON).
use serde::{Deserialize, Serialize};

use crate::boot::BootReading;
use crate::owner::Owner;
pub use crate::words::{ErrorTag, Phase, RunStatus, SyncKind, Trigger};

/// The run's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub fetched_emails: i64,
    pub processed_emails: i64,
    pub inserted_emails: i64,
    pub stored_links: i64,
}

/// What a heartbeat carries: counters plus the phase and estimate for progress bars.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunProgress {
    pub progress: Progress,
    pub phase: Option<Phase>,
    pub total_estimate: Option<i64>,
    pub kind: Option<SyncKind>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Error {
        name: String,
        message: String,
        tag: ErrorTag,
    },
    Aborted {
        tag: ErrorTag,
        message: String,
    },
}

impl Outcome {
    pub fn status(&self) -> RunStatus {
        match self {
            Self::Success => RunStatus::Success,
            Self::Error { .. } => RunStatus::Error,
            Self::Aborted { .. } => RunStatus::Aborted,
        }
    }

    /// `(error_name, error_message, error_tag)` as stored.
    pub(crate) fn error_fields(&self) -> (Option<&str>, Option<&str>, Option<ErrorTag>) {
        match self {
            Self::Success => (None, None, None),
            Self::Error { name, message, tag } => (Some(name), Some(message), Some(*tag)),
            Self::Aborted { tag, message } => (Some("Aborted"), Some(message), Some(*tag)),
        }
    }

    /// The tag of a run that did not succeed.
    pub fn tag(&self) -> Option<ErrorTag> {
        self.error_fields().2
    }
}

/// One row of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncRun {
    pub id: i64,
    pub status: RunStatus,
    pub trigger: Trigger,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub last_heartbeat_at: i64,
    /// True when the run is still marked running but its owner is dead or silent past the
    /// stale threshold: the next start will replace it.
    pub is_stale: bool,
    pub phase: Option<Phase>,
    pub total_estimate: Option<i64>,
    /// Known once the sync has looked at its cursor.
    pub kind: Option<SyncKind>,
    pub progress: Progress,
    pub error_name: Option<String>,
    pub error_message: Option<String>,
    pub error_tag: Option<ErrorTag>,
    #[serde(skip)]
    pub owner: Option<Owner>,
    /// The owner's boot and boot-clock reading at its last heartbeat (rows of older versions
    /// have none).
    #[serde(skip)]
    pub heartbeat_boot: Option<BootReading>,
}

impl SyncRun {
    /// A run as `start` records it: running since `started_at`, nothing done yet.
    pub fn running(id: i64, trigger: Trigger, started_at: i64) -> SyncRun {
        SyncRun {
            id,
            status: RunStatus::Running,
            trigger,
            started_at,
            finished_at: None,
            last_heartbeat_at: started_at,
            is_stale: false,
            phase: None,
            total_estimate: None,
            kind: None,
            progress: Progress::default(),
            error_name: None,
            error_message: None,
            error_tag: None,
            owner: None,
            heartbeat_boot: None,
        }
    }

    /// This run as it stands with `live` progress: what a progress event shows without
    /// reading the row back (the owner knows its progress before the next heartbeat does).
    pub fn with_progress(&self, live: &RunProgress) -> SyncRun {
        SyncRun {
            progress: live.progress,
            phase: live.phase,
            total_estimate: live.total_estimate,
            kind: live.kind.or(self.kind),
            ..self.clone()
        }
    }
}

/// The result of `start`, in the seed's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartResult {
    pub started: bool,
    pub run_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<StartRefusal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StartRefusal {
    AlreadyRunning,
}

impl StartResult {
    pub fn started(run_id: i64) -> Self {
        Self {
            started: true,
            run_id,
            reason: None,
        }
    }

    pub fn already_running(run_id: i64) -> Self {
        Self {
            started: false,
            run_id,
            reason: Some(StartRefusal::AlreadyRunning),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON the UI and the command line read has exactly the agreed camelCase fields.
    #[test]
    fn run_serializes_to_the_agreed_shape() {
        let run = SyncRun {
            id: 7,
            status: RunStatus::Running,
            trigger: Trigger::Tray,
            started_at: 1,
            finished_at: None,
            last_heartbeat_at: 2,
            is_stale: false,
            phase: Some(Phase::Fetching),
            total_estimate: Some(10),
            kind: Some(SyncKind::Full),
            progress: Progress {
                fetched_emails: 3,
                processed_emails: 2,
                inserted_emails: 1,
                stored_links: 4,
            },
            error_name: None,
            error_message: None,
            error_tag: None,
            owner: None,
            heartbeat_boot: None,
        };
        let json = serde_json::to_value(&run).unwrap();
        let expected = serde_json::json!({
            "id": 7, "status": "running", "trigger": "tray", "startedAt": 1, "finishedAt": null,
            "lastHeartbeatAt": 2, "isStale": false, "phase": "fetching", "totalEstimate": 10, "kind": "full",
            "progress": {"fetchedEmails": 3, "processedEmails": 2, "insertedEmails": 1, "storedLinks": 4},
            "errorName": null, "errorMessage": null, "errorTag": null
        });
        assert_eq!(
            json, expected,
            "field names and nesting are the UI's contract"
        );
        let refused = serde_json::to_value(StartResult::already_running(7)).unwrap();
        assert_eq!(
            refused,
            serde_json::json!({"started": false, "runId": 7, "reason": "alreadyRunning"}),
            "start's refusal keeps the seed's shape"
        );
    }
}
