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
    // Saves text the page built (an exported card) as a file. A Blob download with a fixed type: never opened or run.
    downloadText: function (fileName, text, type) {
        const url = URL.createObjectURL(new Blob([text], { type: type || "text/plain" }));
        const link = document.createElement("a");
        link.href = url;
        link.download = fileName;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
    scrollToEnd: function (element) {
        if (element) element.scrollTop = element.scrollHeight;
    }
};
