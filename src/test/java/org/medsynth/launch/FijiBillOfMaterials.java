package org.medsynth.launch;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The library versions Fiji pins ({@code org.scijava:pom-scijava}'s dependencyManagement), and the
 * check that a set of jars puts no second version of one of them on Fiji's class path.
 */
final class FijiBillOfMaterials {

    private final Map<String, String> pinned = new HashMap<>();

    private FijiBillOfMaterials() { }

    static FijiBillOfMaterials read(Path pom) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        Document doc = f.newDocumentBuilder().parse(pom.toFile());
        Map<String, String> properties = new HashMap<>();
        Element props = child(doc.getDocumentElement(), "properties");
        if (props != null) {
            NodeList list = props.getChildNodes();
            for (int i = 0; i < list.getLength(); i++) {
                if (list.item(i) instanceof Element) properties.put(list.item(i).getNodeName(), list.item(i).getTextContent().trim());
            }
        }
        FijiBillOfMaterials bom = new FijiBillOfMaterials();
        Element managed = child(child(doc.getDocumentElement(), "dependencyManagement"), "dependencies");
        NodeList deps = managed.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            String version = resolve(text(d, "version"), properties);
            if (version != null && !version.contains("${")) bom.pinned.put(text(d, "groupId") + ":" + text(d, "artifactId"), version);
        }
        return bom;
    }

    /** The version Fiji pins for groupId:artifactId, or null. */
    String pinned(String coordinates) {
        return pinned.get(coordinates);
    }

    int size() {
        return pinned.size();
    }

    /** "file: group:artifact version V, Fiji pins W" for every jar that would put a second version on the class path. */
    List<String> conflicts(List<Path> jars) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path jar : jars) {
            for (String[] gav : coordinates(jar)) {
                String want = pinned(gav[0] + ":" + gav[1]);
                if (want != null && !want.equals(gav[2])) {
                    out.add(jar.getFileName() + ": " + gav[0] + ":" + gav[1] + " " + gav[2] + ", Fiji pins " + want);
                }
            }
        }
        return out;
    }

    /** The Maven coordinates a jar declares (META-INF/maven/.../pom.properties; shaded jars declare several). */
    static List<String[]> coordinates(Path jar) throws IOException {
        List<String[]> out = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = jf.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (!e.getName().startsWith("META-INF/maven/") || !e.getName().endsWith("/pom.properties")) continue;
                Properties p = new Properties();
                try (InputStream in = jf.getInputStream(e)) {
                    p.load(in);
                }
                out.add(new String[]{p.getProperty("groupId"), p.getProperty("artifactId"), p.getProperty("version")});
            }
        }
        return out;
    }

    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    private static String resolve(String value, Map<String, String> properties) {
        if (value == null) return null;
        for (int depth = 0; depth < 10 && value.contains("${"); depth++) {
            Matcher m = PROPERTY.matcher(value);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String v = properties.get(m.group(1));
                m.appendReplacement(sb, Matcher.quoteReplacement(v == null ? m.group() : v));
            }
            m.appendTail(sb);
            if (sb.toString().equals(value)) break;
            value = sb.toString();
        }
        return value;
    }

    private static Element child(Node parent, String name) {
        if (parent == null) return null;
        NodeList list = parent.getChildNodes();
        for (int i = 0; i < list.getLength(); i++) {
            if (list.item(i) instanceof Element && list.item(i).getNodeName().equals(name)) return (Element) list.item(i);
        }
        return null;
    }

    private static String text(Element e, String name) {
        Element c = child(e, name);
        return c == null ? null : c.getTextContent().trim();
    }
}
