#include "serve/explorer_page.h"

namespace mtrec::serve {

namespace {

// Text from the model (titles, ids) is put in the page with textContent only,
// never parsed as HTML.
constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mtrec explorer</title>
<link rel="icon" href="data:,">
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0 auto; max-width: 980px; padding: 1em; color: #222; }
  h1 { font-size: 1.4em; margin-bottom: 0.2em; }
  #model { color: #666; margin-top: 0; }
  section { border: 1px solid #ddd; border-radius: 6px; padding: 0.6em 1em; margin: 1em 0; }
  h2 { font-size: 1.1em; margin: 0.2em 0 0.5em; }
  h3 { font-size: 1em; margin: 0.8em 0 0.3em; }
  input { padding: 0.25em; }
  button { padding: 0.25em 0.7em; cursor: pointer; }
  ol, ul { padding-left: 1.6em; margin: 0.4em 0; }
  li { margin: 0.15em 0; }
  .id { color: #888; font-size: 0.85em; margin-left: 0.4em; }
  .num { color: #555; font-variant-numeric: tabular-nums; margin-left: 0.6em; font-size: 0.9em; }
  .error { color: #b00; }
  .columns { display: flex; gap: 1em; flex-wrap: wrap; }
  .columns > section { flex: 1 1 440px; }
</style>
</head>
<body>
<h1>mtrec explorer</h1>
<p id="model">loading the model…</p>
<p id="status" class="error" role="alert"></p>
<div class="columns">
<section>
  <h2>Search titles</h2>
  <form id="search-form"><input id="search" placeholder="star wars" size="28">
    <button>Search</button></form>
  <ul id="search-results"></ul>
</section>
<section>
  <h2>Your ratings</h2>
  <ul id="ratings"><li class="id">rate a few items found by the search</li></ul>
  <button id="recommend-me">Recommend for me</button>
  <ol id="my-recommendations"></ol>
</section>
<section>
  <h2>A user's top-k</h2>
  <form id="user-form"><input id="user" placeholder="user id" size="10">
    k <input id="k" type="number" value="10" min="1" max="100" style="width:4em">
    <button>Show</button></form>
  <ol id="user-recommendations"></ol>
  <h3>Their history <span id="history-count" class="id"></span></h3>
  <ul id="user-history"></ul>
</section>
<section>
  <h2>Similar items <span id="similar-to" class="id"></span></h2>
  <ol id="similar"><li class="id">click “similar” beside an item</li></ol>
</section>
</div>
<script>
"use strict";
const ratings = new Map();  // item id -> {title, rating}
let scale = [5, 4, 3, 2, 1];  // the ratings offered: the model's whole numbers, highest first

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

async function call(path, body) {
  const options = body === undefined ? {} :
      {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const reply = await fetch(path, options);
  const json = await reply.json();
  if (!reply.ok) throw new Error(json.error || reply.statusText);
  document.getElementById("status").textContent = "";
  return json;
}

function fail(e) { document.getElementById("status").textContent = e.message; }

// One item's line: title (or id), its id, optional numbers, and actions.
function itemLine(item, numbers, rateable) {
  const li = el("li");
  li.append(el("span", item.title || item.item), el("span", "#" + item.item, "id"));
  for (const [name, value] of numbers) li.append(el("span", name + " " + value.toFixed(3), "num"));
  const similar = el("button", "similar");
  similar.className = "similar";
  similar.onclick = () => showSimilar(item).catch(fail);
  li.append(" ", similar);
  if (rateable) {
    const select = el("select");
    select.className = "rate";
    select.append(el("option", "rate…"));
    for (const r of scale) select.append(el("option", String(r)));
    select.onchange = () => rate(item, Number(select.value));
    li.append(" ", select);
  }
  return li;
}

function fill(list, items, line) {
  const target = document.getElementById(list);
  target.replaceChildren(...items.map(line));
  if (items.length === 0) target.append(el("li", "nothing found", "id"));
}

function rate(item, rating) {
  ratings.set(item.item, {title: item.title, rating});
  const list = [...ratings].map(([id, r]) => {
    const li = el("li");
    li.append(el("span", r.title || id), el("span", "#" + id, "id"), el("span", "★ " + r.rating, "num"));
    return li;
  });
  document.getElementById("ratings").replaceChildren(...list);
}

async function showSimilar(item) {
  const reply = await call("/v1/items/" + encodeURIComponent(item.item) + "/similar?k=10");
  document.getElementById("similar-to").textContent = "to " + (item.title || item.item);
  fill("similar", reply.items, i => itemLine(i, [["cos", i.similarity]], true));
}

document.getElementById("search-form").onsubmit = event => {
  event.preventDefault();
  const text = document.getElementById("search").value;
  call("/v1/items?limit=20&search=" + encodeURIComponent(text))
      .then(reply => fill("search-results", reply.items, i => itemLine(i, [], true))).catch(fail);
};

document.getElementById("recommend-me").onclick = () => {
  if (ratings.size === 0) return fail(new Error("rate at least one item first"));
  const body = {ratings: Object.fromEntries([...ratings].map(([id, r]) => [id, r.rating])), k: 10};
  call("/v1/recommendations/for-ratings", body)
      .then(reply => fill("my-recommendations", reply.items,
                          i => itemLine(i, [["score", i.score], ["rating", i.rating]], true)))
      .catch(fail);
};

document.getElementById("user-form").onsubmit = event => {
  event.preventDefault();
  const user = document.getElementById("user").value.trim();
  const k = document.getElementById("k").value;
  call("/v1/users/" + encodeURIComponent(user) + "/recommendations?k=" + encodeURIComponent(k))
      .then(reply => fill("user-recommendations", reply.items,
                          i => itemLine(i, [["score", i.score], ["rating", i.rating]], false)))
      .then(() => call("/v1/users/" + encodeURIComponent(user) + "/history?limit=50"))
      .then(reply => {
        document.getElementById("history-count").textContent =
            reply.count > reply.items.length ? `(${reply.items.length} of ${reply.count})`
                                             : `(${reply.count})`;
        fill("user-history", reply.items, i => itemLine(i, [], false));
      })
      .catch(fail);
};

call("/v1/model").then(m => {
  if (m.ratings) {
    const low = Math.ceil(m.ratings.min), high = Math.floor(m.ratings.max);
    if (high >= low && high - low <= 20) scale = Array.from({length: high - low + 1}, (_, n) => high - n);
  }
  document.getElementById("model").textContent =
      `${m.dataset}: ${m.users} users, ${m.items} items, epoch ${m.epoch} (${m.checkpoint})`;
}).catch(fail);
</script>
</body>
</html>
)html";

}  // namespace

std::string_view ExplorerPage() { return kPage; }

}  // namespace mtrec::serve
