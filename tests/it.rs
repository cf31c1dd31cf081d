//! The integration suite: one binary, a real server per test (see `common`).

#[path = "common/mod.rs"]
mod common;

mod it {
    mod account_api;
    mod account_portal;
    mod accounts;
    mod admin_api;
    mod admin_console;
    mod authorize_errors;
    mod backchannel;
    mod browser;
    mod cli;
    mod device_flow;
    mod devices;
    mod dpop;
    mod tokens;
    mod totp;
    mod two_factor;
    mod flows;
    mod instances;
    mod keys;
    mod lockout;
    mod logout;
    mod message_center;
    mod ops;
    mod pages;
    mod par;
    mod passkeys;
    mod phone;
    mod pictures;
    mod pin;
    mod refresh;
    mod resources;
}
