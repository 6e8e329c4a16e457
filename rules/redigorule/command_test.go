package redigorule

import (
	"reflect"
	"testing"

	goredis "github.com/redis/go-redis/v9"
)

// TestFormsExist checks the table of typed forms against go-redis: each
// method exists on *redis.Client, takes the context and one parameter per
// letter of the form (a variadic last one for rest), and returns the
// command type the accessors expect.
func TestFormsExist(t *testing.T) {
	results := map[cmdType]reflect.Type{
		cmdString:          reflect.TypeOf(&goredis.StringCmd{}),
		cmdStatus:          reflect.TypeOf(&goredis.StatusCmd{}),
		cmdInt:             reflect.TypeOf(&goredis.IntCmd{}),
		cmdBool:            reflect.TypeOf(&goredis.BoolCmd{}),
		cmdFloat:           reflect.TypeOf(&goredis.FloatCmd{}),
		cmdStringSlice:     reflect.TypeOf(&goredis.StringSliceCmd{}),
		cmdMapStringString: reflect.TypeOf(&goredis.MapStringStringCmd{}),
	}
	client := reflect.TypeOf(&goredis.Client{})
	for name, f := range forms {
		m, ok := client.MethodByName(f.method)
		if !ok {
			t.Errorf("%s: *redis.Client has no method %s", name, f.method)
			continue
		}
		in := m.Type.NumIn() - 2 // the receiver and ctx
		if f.rest != 0 {
			if !m.Type.IsVariadic() || in != len(f.params)+1 {
				t.Errorf("%s: %s takes %d parameters after ctx, want %d then a variadic one", name, f.method, in, len(f.params))
			}
		} else if m.Type.IsVariadic() || in != len(f.params) {
			t.Errorf("%s: %s takes %d parameters after ctx, want %d", name, f.method, in, len(f.params))
		}
		if got := m.Type.Out(0); got != results[f.result] {
			t.Errorf("%s: %s returns %v, the table says %v", name, f.method, got, results[f.result])
		}
	}
}

// TestAccessorsExist checks that each accessor the helpers map to is a
// method of its command type, returning a value and an error.
func TestAccessorsExist(t *testing.T) {
	types := map[cmdType]reflect.Type{
		cmdString: reflect.TypeOf(&goredis.StringCmd{}), cmdStatus: reflect.TypeOf(&goredis.StatusCmd{}),
		cmdInt: reflect.TypeOf(&goredis.IntCmd{}), cmdBool: reflect.TypeOf(&goredis.BoolCmd{}),
		cmdFloat: reflect.TypeOf(&goredis.FloatCmd{}), cmdStringSlice: reflect.TypeOf(&goredis.StringSliceCmd{}),
		cmdMapStringString: reflect.TypeOf(&goredis.MapStringStringCmd{}),
	}
	check := func(helper string, typ reflect.Type, accessor string) {
		m, ok := typ.MethodByName(accessor)
		if !ok || m.Type.NumOut() != 2 {
			t.Errorf("%s: %v has no accessor %s returning (value, error)", helper, typ, accessor)
		}
	}
	for helper, byType := range typedAccessors {
		for ct, acc := range byType {
			check(helper, types[ct], acc)
		}
	}
	for helper, a := range cmdAccessors {
		check(helper, reflect.TypeOf(&goredis.Cmd{}), a.accessor)
	}
}
