//! The box every data table sits in. A table that fits keeps its header row in sight under the top bar while the
//! page scrolls; a table wider than the box scrolls sideways inside it, never the page, and its header then scrolls
//! with it (a sticky header sticks to the nearest scrolling box, which would be this one).

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Wraps a `<table class="data-table">`.
#[component]
pub fn TableWrap(children: Children) -> impl IntoView {
    let wrap = NodeRef::<html::Div>::new();
    let fits = RwSignal::new(false);
    let measure = move || {
        let Some(el) = wrap.get_untracked() else { return };
        let table = el.first_element_child().map_or(0.0, |t| t.get_bounding_client_rect().width());
        fits.set(table <= f64::from(el.client_width()) + 0.5);
    };
    // Rows loaded, sorted or added, and the window resized, all change the widths: one observer sees them all.
    let observer = StoredValue::new_local(None::<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>);
    Effect::new(move |_| {
        let Some(el) = wrap.get() else { return };
        let callback = Closure::<dyn FnMut()>::new(measure);
        if let Ok(seen) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
            seen.observe(&el);
            if let Some(table) = el.first_element_child() {
                seen.observe(&table);
            }
            observer.set_value(Some((seen, callback)));
        }
        measure();
    });
    on_cleanup(move || {
        observer.try_with_value(|held| {
            if let Some((seen, _)) = held {
                seen.disconnect();
            }
        });
    });
    view! { <div class="table-wrap" class:fits=move || fits.get() node_ref=wrap>{children()}</div> }
}
