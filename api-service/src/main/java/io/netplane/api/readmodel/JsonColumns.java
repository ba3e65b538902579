package io.netplane.api.readmodel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netplane.events.EventCodec;
import io.netplane.events.data.EndpointAddress;
import io.netplane.events.data.PortBinding;
import io.netplane.events.data.SubnetAllocation;

import java.util.List;
import java.util.Map;

/** The jsonb columns of the read model, read and written with the events' own JSON settings. */
public final class JsonColumns {
    private static final ObjectMapper JSON = EventCodec.shared().json();
    private static final TypeReference<List<SubnetAllocation>> SUBNETS = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() { };
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() { };
    private static final TypeReference<List<EndpointAddress>> ADDRESSES = new TypeReference<>() { };
    private static final TypeReference<List<PortBinding>> PORTS = new TypeReference<>() { };

    private JsonColumns() {
    }

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write a read-model column: " + e.getMessage(), e);
        }
    }

    public static List<SubnetAllocation> subnets(String json) {
        return read(json, SUBNETS, List.of());
    }

    public static Map<String, String> stringMap(String json) {
        return read(json, STRING_MAP, Map.of());
    }

    public static List<String> stringList(String json) {
        return read(json, STRING_LIST, List.of());
    }

    public static List<EndpointAddress> addresses(String json) {
        return read(json, ADDRESSES, List.of());
    }

    public static List<PortBinding> ports(String json) {
        return read(json, PORTS, List.of());
    }

    private static <T> T read(String json, TypeReference<T> type, T empty) {
        if (json == null) {
            return empty;
        }
        try {
            T value = JSON.readValue(json, type);
            return value == null ? empty : value;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bad JSON in the read model: " + e.getOriginalMessage(), e);
        }
    }
}
