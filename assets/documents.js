// Follows builds without reloading the page, as progressive enhancement:
// the pages work without it (a refresh link on the lists, the reload
// button of the browser on a document's page).
//
// A document's page: its box names the status endpoint (data-status-url);
// the bar moves until the build ends, then the page reloads once to show
// the download or the error.
for (const box of document.querySelectorAll("[data-status-url]")) {
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      const state = await response.json();
      bar.value = state.progress;
      text.textContent = `${state.progress}% done`;
      if (state.status === "done" || state.status === "failed") {
        window.location.reload();
        return;
      }
    } catch (error) {
      text.textContent = "Still working. Checking again…";
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}

// A list of documents (documents, letters): the note naming the progress
// endpoint (data-progress-url) and a tag for each running build
// (data-document), inside a row with an id. Tags show each build's progress
// as it goes; when a build ends its row is replaced by the row the server
// renders now (the download, the page count, "Out of date"), read from a
// fresh copy of this page, so the page never reloads: focus and place stay.
for (const note of document.querySelectorAll("[data-progress-url]")) {
  const tags = new Map([...document.querySelectorAll("[data-document]")].map((tag) => [tag.dataset.document, tag]));
  const text = note.querySelector("[data-progress-text]");
  if (!tags.size) continue;
  const total = tags.size;
  const url = new URL(note.dataset.progressUrl, window.location.href);

  // Swaps in the server's rows for the builds that ended; focus stays on a
  // link or button of the same name in the new row.
  const refreshRows = async (ended) => {
    const response = await fetch(window.location.href, { headers: { Accept: "text/html" } });
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const id of ended) {
      const row = tags.get(id).closest("[id]");
      const replacement = row && fresh.getElementById(row.id);
      if (!replacement) continue;
      const focused = row.contains(document.activeElement) ? document.activeElement : null;
      const name = focused && focused.textContent;
      row.replaceWith(replacement);
      if (focused) {
        const again = [...replacement.querySelectorAll("a, button")].find((e) => e.textContent === name);
        if (again) again.focus();
      }
    }
    for (const id of ended) tags.delete(id);
    return fresh;
  };

  const poll = async () => {
    try {
      const query = new URL(url);
      for (const id of tags.keys()) query.searchParams.append("id", id);
      const response = await fetch(query, { headers: { Accept: "application/json" } });
      const states = (await response.json()).documents;
      const ended = [];
      for (const [id, tag] of tags) {
        const state = states[id];
        if (!state || state.finished) ended.push(id);
        else tag.textContent = `Building ${state.progress}%`;
      }
      if (ended.length) await refreshRows(ended);
      const finished = total - tags.size;
      if (!tags.size) {
        text.textContent = `${total === 1 ? "The build has" : `All ${total} builds have`} finished.`;
        for (const link of note.querySelectorAll("a")) link.remove();
        return;
      }
      if (ended.length) {
        text.textContent = `${finished} of ${total} ${total === 1 ? "build has" : "builds have"} finished.`;
      }
    } catch (error) {
      text.textContent = "Still working. Checking again…";
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
}
