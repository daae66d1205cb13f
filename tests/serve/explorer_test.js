// The explorer page's script (GET /) driven against a running `mtrec serve`
// in Node (its fetch, a minimal stand-in for the DOM): search a title, rate
// it, get the new user's list, open similar items, show a user's top-k.
// usage: node explorer_test.js BASE_URL   (exit 0: every step rendered)
"use strict";
const assert = require("assert");
const base = process.argv[2];

class Element {
  constructor(tag) { this.tag = tag; this.children = []; this.textContent = ""; this.value = ""; }
  append(...nodes) {
    for (const n of nodes) this.children.push(typeof n === "string" ? {textContent: n} : n);
  }
  replaceChildren(...nodes) { this.children = []; this.append(...nodes); }
  text() { return this.textContent + this.children.map(c => c.text ? c.text() : c.textContent).join(""); }
  find(cls) {  // the first descendant with this class
    for (const c of this.children) {
      if (c.className === cls) return c;
      const inner = c.find && c.find(cls);
      if (inner) return inner;
    }
    return null;
  }
}
const byId = new Map();
global.document = {
  getElementById(id) {
    if (!byId.has(id)) byId.set(id, new Element("#" + id));
    return byId.get(id);
  },
  createElement(tag) { return new Element(tag); },
};
const realFetch = fetch;
global.fetch = (path, options) => realFetch(base + path, options);
// Waits until the page's requests have rendered what `done` looks for
// (polled every 20 ms, at most 10 s; the assertion after it says what is missing).
const until = async done => {
  for (let waited = 0; waited < 10000 && !done(); waited += 20) {
    await new Promise(resolve => setTimeout(resolve, 20));
  }
};
const submit = { preventDefault() {} };

(async () => {
  const page = await (await realFetch(base + "/")).text();
  assert(!/https?:\/\//.test(page), "the page fetches nothing from elsewhere");
  assert(!page.includes("innerHTML"), "model text is never parsed as HTML");
  const script = page.slice(page.indexOf("<script>") + 8, page.indexOf("</script>"));
  eval(script);
  const $ = id => document.getElementById(id);
  await until(() => /users, \d+ items/.test($("model").textContent));
  assert.match($("model").textContent, /users, \d+ items/);

  $("search").value = "star wars";
  $("search-form").onsubmit(submit);
  await until(() => $("search-results").children.length > 0);
  const found = $("search-results").children;
  assert.strictEqual(found.length, 1, $("search-results").text());
  assert.match(found[0].text(), /Star Wars \(1977\)#50/);

  const select = found[0].find("rate");
  select.value = "5";
  select.onchange();
  assert.match($("ratings").text(), /Star Wars \(1977\)#50★ 5/);
  $("recommend-me").onclick();
  await until(() => $("my-recommendations").children.length >= 10);
  assert.strictEqual($("my-recommendations").children.length, 10, $("status").textContent);

  found[0].find("similar").onclick();
  await until(() => $("similar").children.length >= 10 && /Star Wars/.test($("similar-to").textContent));
  assert.strictEqual($("similar").children.length, 10, $("status").textContent);
  assert.match($("similar-to").textContent, /Star Wars/);

  $("user").value = "7";
  $("k").value = "5";
  $("user-form").onsubmit(submit);
  await until(() => $("user-recommendations").children.length >= 5);
  assert.strictEqual($("user-recommendations").children.length, 5, $("status").textContent);
  await until(() => $("user-history").children.length > 0);
  assert.strictEqual($("user-history").children.length, 25, $("status").textContent);
  assert.strictEqual($("history-count").textContent, "(25)");

  $("user").value = "9999";
  $("user-form").onsubmit(submit);
  await until(() => /user '9999' is not in the model/.test($("status").textContent));
  assert.match($("status").textContent, /user '9999' is not in the model/);
  console.log("explorer: search, rate, recommend, similar, a user's top-k and an error rendered");
})().catch(e => { console.error(e); process.exit(1); });
