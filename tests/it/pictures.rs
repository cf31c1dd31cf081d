//! Profile images: uploaded through the account API and the account page, re-encoded
//! (no uploaded byte served, no metadata kept), served with long caching at a URL the
//! `picture` claim names, and refused when too large, not an image, or a bomb.

use std::io::Cursor;

use image::GenericImageView;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::browser::hidden;
use crate::common::{self, ALICE, Backend, TestServer, pkce_pair, query};

const APP_SECRET: &str = "picture-app-secret-0123456789abcdefghijklmno";
const APP_REDIRECT: &str = "https://app.example.com/callback";

async fn server() -> TestServer {
    TestServer::start_with(Backend::Sqlite, |config| {
        let mut app = common::client("picture-app", Some(APP_SECRET), None, APP_REDIRECT);
        app.scopes = Some(["openid", "profile", "account"].map(String::from).to_vec());
        app.skip_consent = true;
        config.clients.push(app);
    })
    .await
}

async fn token(srv: &TestServer) -> Value {
    let (verifier, challenge) = pkce_pair();
    let url = common::authorize_url(
        srv,
        &[("response_type", "code"), ("client_id", "picture-app"), ("redirect_uri", APP_REDIRECT), ("scope", "openid profile account"), ("code_challenge", &challenge), ("code_challenge_method", "S256")],
    );
    let landed = srv.browser().sign_in(&url, ALICE).await;
    let code = query(&landed).get("code").cloned().unwrap();
    let response = srv
        .post_form("/token", Some(("picture-app", APP_SECRET)), &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", APP_REDIRECT), ("code_verifier", &verifier)])
        .await;
    response.json().await.unwrap()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, y| image::Rgba([(x % 256) as u8, (y % 256) as u8, 160, 255]));
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

/// A JPEG carrying an EXIF segment (with a "GPS" marker) right after its start.
fn jpeg_with_exif() -> Vec<u8> {
    let image = image::RgbImage::from_fn(300, 200, |x, _| image::Rgb([(x % 256) as u8, 10, 10]));
    let mut plain = Vec::new();
    image.write_to(&mut Cursor::new(&mut plain), image::ImageFormat::Jpeg).unwrap();
    let payload = b"Exif\0\0MM\0*\0\0\0\x08GPS-SECRET-LOCATION";
    let length = (payload.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(length.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A PNG whose header claims `width` × `height` pixels with a few bytes of data: what a
/// decompression bomb looks like before anything is decoded.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = png(1, 1);
    // The IHDR chunk: length (4), "IHDR" (4), width (4), height (4), ... then its CRC.
    out[16..20].copy_from_slice(&width.to_be_bytes());
    out[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&out[12..29]);
    out[29..33].copy_from_slice(&crc.to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// The process's peak resident memory (the server runs in this process), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
}

async fn put(srv: &TestServer, token: &str, bytes: Vec<u8>, kind: &str) -> (StatusCode, Value) {
    let response = srv.http().put(srv.url("/api/v1/me/picture")).bearer_auth(token).header("content-type", kind).body(bytes).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_picture_is_reencoded_served_and_named_in_the_claims() {
    let srv = server().await;
    let tokens = token(&srv).await;
    let access = tokens["access_token"].as_str().unwrap();

    let (status, body) = put(&srv, access, jpeg_with_exif(), "image/jpeg").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["picture"].as_str().unwrap().to_string();
    assert!(url.starts_with(&srv.url("/pictures/")), "{url}");
    let served = srv.http().get(&url).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert_eq!(served.headers()["cache-control"], "public, max-age=3600");
    let bytes = served.bytes().await.unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"Exif") && !bytes.windows(3).any(|w| w == b"GPS"), "no metadata survives");
    assert_eq!(image::load_from_memory(&bytes).unwrap().dimensions(), (200, 200), "cropped to the centre square");

    // A larger one replaces it, scaled to 512 × 512; the old URL is gone.
    let (status, body) = put(&srv, access, png(1200, 800), "image/png").await;
    assert_eq!(status, StatusCode::OK);
    let newer = body["picture"].as_str().unwrap().to_string();
    assert_ne!(newer, url);
    assert_eq!(srv.http().get(&url).send().await.unwrap().status(), 404);
    let bytes = srv.http().get(&newer).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(image::load_from_memory(&bytes).unwrap().dimensions(), (512, 512));

    // The `picture` claim (profile scope) names it.
    let userinfo: Value = srv.http().get(srv.url("/userinfo")).bearer_auth(access).send().await.unwrap().json().await.unwrap();
    assert_eq!(userinfo["picture"], newer.as_str());
    let me: Value = srv.http().get(srv.url("/api/v1/me")).bearer_auth(access).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["picture"], newer.as_str());

    let removed = srv.http().delete(srv.url("/api/v1/me/picture")).bearer_auth(access).send().await.unwrap();
    assert_eq!(removed.status(), 204);
    assert_eq!(srv.http().get(&newer).send().await.unwrap().status(), 404);
    let userinfo: Value = srv.http().get(srv.url("/userinfo")).bearer_auth(access).send().await.unwrap().json().await.unwrap();
    assert!(userinfo.get("picture").is_none(), "{userinfo}");
}

#[tokio::test]
async fn too_large_not_an_image_and_bombs_are_refused() {
    let srv = server().await;
    let tokens = token(&srv).await;
    let access = tokens["access_token"].as_str().unwrap();

    let (status, body) = put(&srv, access, vec![0u8; 6 * 1024 * 1024], "image/png").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["type"].is_string(), "a problem document: {body}");
    let (status, body) = put(&srv, access, b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(), "image/png").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = put(&srv, access, png(10, 10), "text/plain").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // 40,000 × 40,000 pixels would take 6 GB decoded: refused from the header.
    let before = peak_rss_kib();
    let (status, body) = put(&srv, access, png_claiming(40_000, 40_000), "image/png").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("too many pixels"), "{body}");
    let grown = peak_rss_kib().saturating_sub(before);
    assert!(grown < 64 * 1024, "peak memory grew by {grown} KiB");
    let me: Value = srv.http().get(srv.url("/api/v1/me")).bearer_auth(access).send().await.unwrap().json().await.unwrap();
    assert!(me["picture"].is_null(), "nothing was stored");
}

#[tokio::test]
async fn the_account_page_uploads_and_removes_the_picture() {
    let srv = server().await;
    let browser = srv.browser();
    let login = browser.open("/account/picture").await;
    let page = browser.submit(&login, "/login", &[("email", ALICE.0), ("password", ALICE.1)]).await;
    assert!(page.body().contains("enctype=\"multipart/form-data\""), "{}", page.body());
    let csrf = hidden(page.body(), "csrf").unwrap();
    let refused = browser.upload("/account/picture", &[("csrf", &csrf)], ("picture", b"not an image".to_vec(), "image/png")).await;
    assert!(refused.body().contains("id=\"picture-error\""), "{}", refused.body());
    let forged = browser.upload("/account/picture", &[("csrf", "forged")], ("picture", png(64, 64), "image/png")).await;
    assert_eq!(forged.status(), 403, "uploads carry the CSRF token too");
    let saved = browser.upload("/account/picture", &[("csrf", &csrf)], ("picture", png(64, 64), "image/png")).await;
    assert!(saved.body().contains("Your new picture is saved") && saved.body().contains("<img src=\"&#x2f;pictures&#x2f;"), "{}", saved.body());
    let user = srv.state.ctx().store.user_by_email(ALICE.0).await.unwrap().unwrap();
    assert!(user.picture.is_some());
    let removed = browser.submit(&saved, "/account/picture/remove", &[]).await;
    assert!(removed.body().contains("Your picture is removed"), "{}", removed.body());
}
