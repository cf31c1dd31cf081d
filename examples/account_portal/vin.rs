//! Vehicle identification numbers (ISO 3779): 17 characters of A–Z and 0–9 without I, O
//! and Q. Vehicles for North America (a world manufacturer identifier starting with 1
//! to 5) carry a check digit in position 9 (49 CFR 565); others are checked for form only.

/// The VIN in upper case without spaces, or why it is not one.
pub fn normalise(raw: &str) -> Result<String, &'static str> {
    let vin: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    if vin.chars().count() != 17 {
        return Err("a VIN has 17 characters");
    }
    if vin.chars().any(|c| matches!(c, 'I' | 'O' | 'Q')) {
        return Err("a VIN never contains I, O or Q (they look like 1 and 0)");
    }
    if !vin.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return Err("a VIN has only letters and digits");
    }
    if vin.starts_with(['1', '2', '3', '4', '5']) && vin.as_bytes()[8] != check_digit(&vin) {
        return Err("the check digit (9th character) does not match: please check the VIN");
    }
    Ok(vin)
}

/// The check digit of a well-formed VIN: `0`–`9` or `X`.
pub fn check_digit(vin: &str) -> u8 {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let value = |c: u8| -> u32 {
        match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'H' => u32::from(c - b'A') + 1,
            b'J'..=b'N' => u32::from(c - b'J') + 1,
            b'P' => 7,
            b'R' => 9,
            b'S'..=b'Z' => u32::from(c - b'S') + 2,
            _ => 0,
        }
    };
    let sum: u32 = vin.bytes().zip(WEIGHTS).map(|(c, w)| value(c) * w).sum();
    match sum % 11 {
        10 => b'X',
        n => b'0' + n as u8,
    }
}
