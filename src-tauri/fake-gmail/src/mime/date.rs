//! RFC 2822 `Date:` header values computed from epoch milliseconds, without a calendar crate.

const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2026-01-01T10:00:01.250Z`: RFC 3339 in UTC with milliseconds, as Google writes instants.
pub(crate) fn rfc3339(epoch_ms: i64) -> String {
    let secs = epoch_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60,
        epoch_ms.rem_euclid(1000)
    )
}

/// `Tue, 03 Jan 2023 10:15:30 +0100` for the instant `epoch_ms` seen in a zone `offset_minutes` east of UTC.
pub(crate) fn rfc2822(epoch_ms: i64, offset_minutes: i32) -> String {
    let local = epoch_ms.div_euclid(1000) + i64::from(offset_minutes) * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} {}{:02}{:02}",
        WEEKDAYS[days.rem_euclid(7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        sign,
        off / 60,
        off % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(
            rfc2822(0, 0),
            "Thu, 01 Jan 1970 00:00:00 +0000",
            "the epoch"
        );
        assert_eq!(
            rfc2822(1_672_531_200_000, 60),
            "Sun, 01 Jan 2023 01:00:00 +0100",
            "2023 new year in CET"
        );
        assert_eq!(
            rfc2822(1_709_164_800_000, -480),
            "Wed, 28 Feb 2024 16:00:00 -0800",
            "leap year, west of UTC"
        );
    }

    /// Google's instants: UTC, milliseconds, a Z.
    #[test]
    fn formats_rfc3339() {
        assert_eq!(
            rfc3339(1_709_164_800_250),
            "2024-02-29T00:00:00.250Z",
            "leap day with milliseconds"
        );
    }
}
