//! Parsing of `--memory` and `--timeout` values.

use std::time::Duration;

/// A limit given on the command line: unset (platform default), explicitly none, or a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit<T> {
    Default,
    Unlimited,
    Value(T),
}

/// `512MiB`, `512M`, `1.5GiB`, `1G`, `200000000` (bytes), `none`.
/// Decimal units (kB, MB, GB) are powers of 1000, binary ones and bare K/M/G powers of 1024
/// (as Docker's `--memory 512m` means 512 MiB).
pub fn parse_memory(text: &str) -> Result<Limit<u64>, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("none") || t.eq_ignore_ascii_case("unlimited") || t == "0" {
        return Ok(Limit::Unlimited);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("invalid memory size `{text}` (expected e.g. 512MiB, 1G, none)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kib" => 1024.0,
        "kb" => 1000.0,
        "m" | "mib" => 1024.0 * 1024.0,
        "mb" => 1e6,
        "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "gb" => 1e9,
        _ => {
            return Err(format!(
                "invalid memory unit in `{text}` (use B, KiB, MiB, GiB, kB, MB, GB)"
            ));
        }
    };
    let bytes = value * mult;
    if !bytes.is_finite() || !(1.0..=1e18).contains(&bytes) {
        return Err(format!("memory size `{text}` is out of range"));
    }
    Ok(Limit::Value(bytes as u64))
}

/// `60s`, `1.5s`, `500ms`, `2m`, `1h`, `60` (seconds), `none`.
pub fn parse_duration(text: &str) -> Result<Limit<Duration>, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("none") || t.eq_ignore_ascii_case("unlimited") || t == "0" {
        return Ok(Limit::Unlimited);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration `{text}` (expected e.g. 60s, 500ms, 2m, none)"))?;
    let secs = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "s" | "sec" | "secs" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => {
            return Err(format!(
                "invalid duration unit in `{text}` (use ms, s, m, h)"
            ));
        }
    };
    if !secs.is_finite() || secs <= 0.0 || secs > 1e9 {
        return Err(format!("duration `{text}` is out of range"));
    }
    Ok(Limit::Value(Duration::from_secs_f64(secs)))
}

/// `536870912` -> `512 MiB`.
pub fn fmt_bytes(b: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    let m = b as f64 / MIB;
    if m >= 1024.0 * 10.0 {
        format!("{:.1} GiB", m / 1024.0)
    } else if m >= 100.0 || (m.fract() == 0.0 && m >= 1.0) {
        format!("{m:.0} MiB")
    } else {
        format!("{m:.1} MiB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory() {
        assert_eq!(parse_memory("512MiB"), Ok(Limit::Value(512 << 20)));
        assert_eq!(parse_memory("512m"), Ok(Limit::Value(512 << 20)));
        assert_eq!(parse_memory("1GB"), Ok(Limit::Value(1_000_000_000)));
        assert_eq!(parse_memory("none"), Ok(Limit::Unlimited));
        assert!(parse_memory("lots").is_err());
        assert!(parse_memory("12XB").is_err());
        assert!(parse_memory("").is_err());
    }

    #[test]
    fn duration() {
        assert_eq!(
            parse_duration("60s"),
            Ok(Limit::Value(Duration::from_secs(60)))
        );
        assert_eq!(
            parse_duration("500ms"),
            Ok(Limit::Value(Duration::from_millis(500)))
        );
        assert_eq!(
            parse_duration("2m"),
            Ok(Limit::Value(Duration::from_secs(120)))
        );
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("1e400").is_err());
    }
}
