// The public survey's questions page, as progressive enhancement. Without
// it every question shows, a conditional one saying when to answer it; with
// it, a question whose condition on an earlier answer does not hold is
// hidden, and shown as soon as it holds. The server judges the same
// conditions again when the answers are sent (scrutiny/surveys/recording.py):
// in question order, a hidden question counting as unanswered.
const form = document.querySelector("[data-survey-form]");

function answers(name) {
  const values = [];
  for (const input of form.querySelectorAll(`[name="${name}"]`)) {
    if (input.type === "radio" || input.type === "checkbox") {
      if (input.checked) values.push(input.value);
    } else if (input.value.trim() !== "") {
      values.push(input.value);
    }
  }
  return values;
}

function holds(question, shown) {
  const parent = question.dataset.conditionQuestion;
  if (!parent) return true;
  if (!shown.has(parent)) return false;
  const given = answers(parent);
  const option = question.dataset.conditionOption;
  switch (question.dataset.conditionOperator) {
    case "answered": return given.length > 0;
    case "equals": return given.includes(option);
    case "not_equals": return given.length > 0 && !given.includes(option);
    default: return true;
  }
}

function update() {
  const shown = new Set();
  for (const question of form.querySelectorAll("[data-question]")) {
    const visible = holds(question, shown);
    question.hidden = !visible;
    if (visible) shown.add(question.dataset.question);
  }
}

if (form) {
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
}
