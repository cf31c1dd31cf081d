//! Financing agreements the portal can link an account to, and the matching rule:
//! given name, family name and date of birth exactly, the VIN (checked first, see
//! `vin.rs`) and the exact amount of the last payment; or the customer ID alone. The
//! example seeds a few; a real portal reads its contract system.

use serde::Deserialize;

use super::vin;

pub struct Agreement {
    pub id: String,
    pub customer_id: String,
    pub given_name: String,
    pub family_name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    pub vin: String,
    pub vehicle: String,
    /// (day, amount in EUR), newest first.
    pub payments: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct LinkRequest {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub vin: String,
    #[serde(default)]
    pub last_payment: String,
    #[serde(default)]
    pub customer_id: String,
}

pub fn seeded() -> Vec<Agreement> {
    let payments = |amounts: &[(&str, &str)]| amounts.iter().map(|(d, a)| (d.to_string(), a.to_string())).collect();
    vec![
        Agreement {
            id: "FA-1001".into(),
            customer_id: "C-778899".into(),
            given_name: "Alice".into(),
            family_name: "Example".into(),
            birth_date: "1990-04-01".into(),
            vin: "WMW11DJ0102T12345".into(),
            vehicle: "MINI Cooper SE".into(),
            payments: payments(&[("2026-11-01", "389.50"), ("2026-10-01", "389.50")]),
        },
        Agreement {
            id: "FA-1002".into(),
            customer_id: "C-112233".into(),
            given_name: "Bob".into(),
            family_name: "Example".into(),
            birth_date: "1985-09-12".into(),
            vin: "1M8GDM9AXKP042788".into(),
            vehicle: "BMW i4 eDrive40".into(),
            payments: payments(&[("2026-11-15", "612.00")]),
        },
    ]
}

/// Amounts compare as cents, so `389.5` and `389,50` are the same payment.
fn cents(amount: &str) -> Option<i64> {
    let amount = amount.trim().replace(',', ".");
    let (units, fraction) = amount.split_once('.').unwrap_or((&amount, "0"));
    if fraction.len() > 2 || units.is_empty() {
        return None;
    }
    let fraction = format!("{fraction:0<2}");
    Some(units.parse::<i64>().ok()? * 100 + fraction.parse::<i64>().ok()?)
}

/// The agreement the request describes, or why none matches (the same answer for any
/// mismatch: the form must not tell which detail was wrong).
pub fn find<'a>(agreements: &'a [Agreement], request: &LinkRequest) -> Result<&'a Agreement, &'static str> {
    let customer_id = request.customer_id.trim();
    if !customer_id.is_empty() {
        return agreements.iter().find(|a| a.customer_id == customer_id).ok_or("No agreement matches these details.");
    }
    let vin = vin::normalise(&request.vin)?;
    let paid = cents(&request.last_payment).ok_or("Enter the last payment like 389.50.")?;
    agreements
        .iter()
        .find(|a| {
            a.vin == vin
                && a.given_name == request.given_name.trim()
                && a.family_name == request.family_name.trim()
                && a.birth_date == request.birth_date.trim()
                && a.payments.first().and_then(|(_, amount)| cents(amount)) == Some(paid)
        })
        .ok_or("No agreement matches these details.")
}
