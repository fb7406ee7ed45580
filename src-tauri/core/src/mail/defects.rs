//! The list of what was wrong with a message, bounded so hostile mail cannot grow it without end.

use super::MAX_DEFECTS;

/// Collects defects in the order found; past [`MAX_DEFECTS`] it only counts.
#[derive(Debug, Default)]
pub(super) struct Defects {
    list: Vec<String>,
    overflow: usize,
}

impl Defects {
    pub(super) fn push(&mut self, defect: impl Into<String>) {
        if self.list.len() < MAX_DEFECTS - 1 {
            self.list.push(defect.into());
        } else {
            self.overflow += 1;
        }
    }

    pub(super) fn into_vec(mut self) -> Vec<String> {
        match self.overflow {
            0 => {}
            // One slot was kept free for this line, so the total stays within MAX_DEFECTS.
            1 => self.list.push("1 more defect not listed".to_owned()),
            n => self.list.push(format!("{n} more defects not listed")),
        }
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past the cap, defects are counted in one closing line instead of kept.
    #[test]
    fn caps_and_counts_the_rest() {
        let mut defects = Defects::default();
        for i in 0..MAX_DEFECTS + 10 {
            defects.push(format!("defect {i}"));
        }
        let list = defects.into_vec();
        assert_eq!(list.len(), MAX_DEFECTS, "the list must not exceed the cap");
        assert_eq!(
            list.last().map(String::as_str),
            Some("11 more defects not listed"),
            "the last line must count what was dropped"
        );
    }
}
