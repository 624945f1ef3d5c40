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
// (data-document). Tags show each build's progress and state as it goes;
// once every build has ended the page reloads once, for the downloads and
// the "out of date" marks.
for (const note of document.querySelectorAll("[data-progress-url]")) {
  const tags = new Map([...document.querySelectorAll("[data-document]")].map((tag) => [tag.dataset.document, tag]));
  const text = note.querySelector("[data-progress-text]");
  if (!tags.size) continue;
  const url = new URL(note.dataset.progressUrl, window.location.href);
  for (const id of tags.keys()) url.searchParams.append("id", id);
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const states = (await response.json()).documents;
      let finished = 0;
      for (const [id, tag] of tags) {
        const state = states[id];
        if (!state || state.finished) {
          finished += 1;
          tag.textContent = state && state.status === "failed" ? "Failed" : "Ready";
          tag.className = `govuk-tag govuk-tag--${state && state.status === "failed" ? "red" : "green"}`;
        } else {
          tag.textContent = `Building ${state.progress}%`;
        }
      }
      if (finished === tags.size) {
        window.location.reload();
        return;
      }
      text.textContent = `${finished} of ${tags.size} ${tags.size === 1 ? "build has" : "builds have"} finished.`;
    } catch (error) {
      text.textContent = "Still working. Checking again…";
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
}
