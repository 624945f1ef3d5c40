// Moves a build's progress bar without reloading the page: polls the
// status endpoint named by data-status-url until the build has finished,
// then reloads once to show the download or the error.
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
