package dev.litestack.todo.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * The jte templates of {@code src/main/jte}, precompiled at build time with HTML auto-escaping. The page and every
 * Turbo Stream fragment (HTTP answers and broadcasts alike) are rendered here, so escaping is the same everywhere.
 */
@Singleton
public final class Views {

    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    public String render(String template, Map<String, Object> params) {
        StringOutput out = new StringOutput(1024);
        engine.render(template, params, out);
        return out.toString();
    }
}
