//! Financing agreements the portal can link an account to, kept in the portal's own
//! SQLite database (seeded with a few on first start; a real portal reads its contract
//! system), and the matching rule: given name, family name and date of birth exactly,
//! the VIN (checked first, see `vin.rs`) and the exact amount of the last payment; or
//! the customer ID alone. Links from oneid accounts (`sub`) to agreements live there too.

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement, Value};
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
    /// The form's CSRF token.
    #[serde(default)]
    pub csrf: String,
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
fn matching<'a>(agreements: &'a [Agreement], request: &LinkRequest) -> Result<&'a Agreement, &'static str> {
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

/// The portal's database: `sqlite::memory:` or `sqlite://portal.db?mode=rwc`.
pub struct Store {
    db: DatabaseConnection,
}

fn statement(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
}

impl Store {
    pub async fn open(url: &str) -> Result<Store, String> {
        let mut options = sea_orm::ConnectOptions::new(url);
        // One connection: an in-memory database exists once per connection.
        options.max_connections(1).sqlx_logging(false);
        let db = Database::connect(options).await.map_err(|e| e.to_string())?;
        for sql in [
            "CREATE TABLE IF NOT EXISTS agreements (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL UNIQUE, given_name TEXT NOT NULL, family_name TEXT NOT NULL, birth_date TEXT NOT NULL, vin TEXT NOT NULL, vehicle TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS payments (agreement_id TEXT NOT NULL REFERENCES agreements(id), day TEXT NOT NULL, amount TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS links (sub TEXT NOT NULL, agreement_id TEXT NOT NULL REFERENCES agreements(id), PRIMARY KEY (sub, agreement_id))",
        ] {
            db.execute_unprepared(sql).await.map_err(|e| e.to_string())?;
        }
        let store = Store { db };
        if store.all().await?.is_empty() {
            for a in seeded() {
                store.execute("INSERT INTO agreements VALUES (?, ?, ?, ?, ?, ?, ?)", vec![a.id.clone().into(), a.customer_id.into(), a.given_name.into(), a.family_name.into(), a.birth_date.into(), a.vin.into(), a.vehicle.into()]).await?;
                for (day, amount) in a.payments {
                    store.execute("INSERT INTO payments VALUES (?, ?, ?)", vec![a.id.clone().into(), day.into(), amount.into()]).await?;
                }
            }
        }
        Ok(store)
    }

    async fn execute(&self, sql: &str, values: Vec<Value>) -> Result<(), String> {
        self.db.execute_raw(statement(sql, values)).await.map(drop).map_err(|e| e.to_string())
    }

    async fn all(&self) -> Result<Vec<Agreement>, String> {
        let rows = self.db.query_all_raw(statement("SELECT id, customer_id, given_name, family_name, birth_date, vin, vehicle FROM agreements ORDER BY id", vec![])).await.map_err(|e| e.to_string())?;
        let mut agreements = Vec::new();
        for row in rows {
            let get = |column: &str| row.try_get::<String>("", column).map_err(|e| e.to_string());
            let id = get("id")?;
            let payments = self
                .db
                .query_all_raw(statement("SELECT day, amount FROM payments WHERE agreement_id = ? ORDER BY day DESC", vec![id.clone().into()]))
                .await
                .map_err(|e| e.to_string())?
                .into_iter()
                .filter_map(|p| Some((p.try_get::<String>("", "day").ok()?, p.try_get::<String>("", "amount").ok()?)))
                .collect();
            agreements.push(Agreement { customer_id: get("customer_id")?, given_name: get("given_name")?, family_name: get("family_name")?, birth_date: get("birth_date")?, vin: get("vin")?, vehicle: get("vehicle")?, id, payments });
        }
        Ok(agreements)
    }

    /// The agreement the request describes (see the matching rule above).
    pub async fn find(&self, request: &LinkRequest) -> Result<Result<Agreement, &'static str>, String> {
        let all = self.all().await?;
        let id = matching(&all, request).map(|a| a.id.clone());
        Ok(id.and_then(|id| all.into_iter().find(|a| a.id == id).ok_or("No agreement matches these details.")))
    }

    /// Links the agreement to `sub`, unless another account holds it (false).
    pub async fn link(&self, sub: &str, agreement_id: &str) -> Result<bool, String> {
        let sql = "INSERT INTO links (sub, agreement_id) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM links WHERE agreement_id = ? AND sub <> ?) ON CONFLICT DO NOTHING";
        self.execute(sql, vec![sub.into(), agreement_id.into(), agreement_id.into(), sub.into()]).await?;
        let row = self.db.query_one_raw(statement("SELECT 1 AS linked FROM links WHERE sub = ? AND agreement_id = ?", vec![sub.into(), agreement_id.into()])).await.map_err(|e| e.to_string())?;
        Ok(row.is_some())
    }

    /// The agreements linked to `sub`.
    pub async fn linked(&self, sub: &str) -> Result<Vec<Agreement>, String> {
        let rows = self.db.query_all_raw(statement("SELECT agreement_id FROM links WHERE sub = ?", vec![sub.into()])).await.map_err(|e| e.to_string())?;
        let ids: Vec<String> = rows.into_iter().filter_map(|r| r.try_get::<String>("", "agreement_id").ok()).collect();
        Ok(self.all().await?.into_iter().filter(|a| ids.contains(&a.id)).collect())
    }
}
