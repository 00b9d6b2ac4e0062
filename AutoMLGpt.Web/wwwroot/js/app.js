// Small browser helpers called from Blazor. Nothing here evaluates generated content.
window.automlgpt = {
    copyText: async function (text) {
        try {
            await navigator.clipboard.writeText(text);
            return true;
        } catch {
            // Clipboard API needs a secure context; fall back to a hidden textarea.
            const area = document.createElement("textarea");
            area.value = text;
            area.setAttribute("readonly", "");
            area.style.position = "fixed";
            area.style.opacity = "0";
            document.body.appendChild(area);
            area.select();
            const ok = document.execCommand("copy");
            area.remove();
            return ok;
        }
    },
    scrollToEnd: function (element) {
        if (element) element.scrollTop = element.scrollHeight;
    }
};
