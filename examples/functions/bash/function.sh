# The handler of the tutorial: logs the event to stderr and answers with it.
function handler () {
  EVENT_DATA=$1
  echo "$EVENT_DATA" 1>&2;
  RESPONSE="{\"echo\": $EVENT_DATA}"
  echo $RESPONSE
}
