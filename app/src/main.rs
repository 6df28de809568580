//! Baton's front end: a Leptos app rendered in the browser, talking to the server only through `api`.

mod api;
mod app;
mod auth;
mod components;
mod format;
mod live;
mod pages;
mod upload;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
